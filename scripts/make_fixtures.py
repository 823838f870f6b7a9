"""Regenerate fixtures/clients.json and fixtures/jobs.json (deterministic: same seed, same data).

Run: python scripts/make_fixtures.py
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mockserver.store.model import timestamp

COMPANIES = [
    ("Acme Corporation", "Technology", "Bangalore"),
    ("Globex Systems", "Technology", "Pune"),
    ("Initech Software", "Technology", "Hyderabad"),
    ("Umbrella Health", "Healthcare", "Mumbai"),
    ("Northwind Clinics", "Healthcare", "Chennai"),
    ("Blue Cross Diagnostics", "Healthcare", "Delhi"),
    ("Stark Manufacturing", "Manufacturing", "Ahmedabad"),
    ("Wayne Steelworks", "Manufacturing", "Jamshedpur"),
    ("Tata Precision Tools", "Manufacturing", "Coimbatore"),
    ("Gringotts Capital", "Finance", "Mumbai"),
    ("Lakshmi Microfinance", "Finance", "Kolkata"),
    ("Oceanic Bank", "Finance", "Kochi"),
    ("Sterling Retail", "Retail", "Gurugram"),
    ("Bazaar Express", "Retail", "Jaipur"),
    ("Kirana Konnect", "Retail", "Lucknow"),
    ("Vidya Learning", "Education", "Bangalore"),
    ("Shiksha Online", "Education", "Noida"),
    ("Campus Prep Academy", "Education", "Indore"),
    ("Swift Logistics", "Logistics", "Nagpur"),
    ("Cargo Bridge", "Logistics", "Visakhapatnam"),
    ("Last Mile Movers", "Logistics", "Surat"),
    ("Saffron Hospitality", "Hospitality", "Goa"),
    ("Monsoon Resorts", "Hospitality", "Udaipur"),
    ("Chai & Co Cafes", "Hospitality", "Pune"),
    ("GreenGrid Energy", "Energy", "Chandigarh"),
    ("Surya Solar", "Energy", "Jodhpur"),
    ("Pixel Forge Studios", "Media", "Mumbai"),
    ("Rangmanch Media", "Media", "Kolkata"),
    ("Nimbus Cloud Labs", "Technology", "Bangalore"),
    ("Quantum Analytics", "Technology", "Hyderabad"),
    ("Ayur Wellness", "Healthcare", "Mysuru"),
    ("Fortis Biotech", "Healthcare", "Bangalore"),
    ("Eastern Textiles", "Manufacturing", "Tiruppur"),
    ("Harbor Insurance", "Finance", "Chennai"),
    ("Urban Threads", "Retail", "Delhi"),
    ("Skyline Realty", "Real Estate", "Gurugram"),
    ("Brick & Beam Builders", "Real Estate", "Pune"),
    ("Metro Homes", "Real Estate", "Mumbai"),
    ("Zenith Telecom", "Telecommunications", "Noida"),
    ("Signal Peak Networks", "Telecommunications", "Bangalore"),
    ("Société Générale Services", "Finance", "Bangalore"),
    ("Müller Engineering", "Manufacturing", "Chennai"),
    ("Orbit Aerospace", None, "Hyderabad"),
    ("Freelance Collective", None, None),
]
PEOPLE = [
    "Jane Smith",
    "Rahul Mehta",
    "Priya Nair",
    "Arjun Rao",
    "Sara Khan",
    "Vikram Singh",
    "Ananya Iyer",
    "Rohan Das",
    "Meera Pillai",
    "Karan Malhotra",
    "Fatima Sheikh",
    "José García",
    "Zoë Fernandes",
    "Li Wei",
    "Deepa Menon",
    "Aditya Kulkarni",
]
TAGS = [
    "enterprise",
    "priority",
    "startup",
    "smb",
    "remote-friendly",
    "bulk-hiring",
    "tech",
    "contract",
    "campus",
    "leadership",
    "retained",
    "new",
]
JOB_TITLES = [
    "Backend Engineer",
    "Staff Nurse",
    "Plant Supervisor",
    "Financial Analyst",
    "Store Manager",
    "Data Scientist",
    "Warehouse Lead",
    "Chef de Partie",
    "Sales Executive",
    "HR Business Partner",
    "DevOps Engineer",
    "Content Writer",
]
JOB_STATUSES = ["active", "active", "active", "draft", "paused", "closed", "filled"]


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:16] or "client"


def make_client(rng: random.Random, index: int, company: tuple, start: datetime) -> dict:
    name, industry, city = company
    created = start + timedelta(
        days=index * 9 + rng.randint(0, 6),
        seconds=rng.randint(0, 86_000),
        milliseconds=rng.randint(0, 999),
    )
    updated = created + timedelta(days=rng.choice([0, 0, 1, 12, 40]), seconds=rng.randint(0, 5_000))
    sparse = index % 7 == 5
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "name": name,
        "email": None if sparse else f"hiring@{slug(name)}.example.com",
        "phone": None
        if sparse or index % 5 == 0
        else f"+91 9{rng.randint(1000, 9999)} {rng.randint(10000, 99999)}",
        "address": None
        if sparse or city is None
        else f"{rng.randint(1, 400)} Business Park\n{city}, India",
        "contact_person": None if index % 11 == 3 else rng.choice(PEOPLE),
        "website": None if sparse else f"https://www.{slug(name)}.example.com",
        "industry": industry,
        "status": "inactive" if index % 6 == 4 else "active",
        "tags": rng.sample(TAGS, k=rng.choice([0, 1, 2, 2, 3])),
        "notes": None
        if index % 3
        else rng.choice(
            [
                "Primary staffing client",
                "Pays within 30 days",
                "Prefers video interviews",
                "Annual contract; renew in Q3",
            ]
        ),
        "metadata": {}
        if index % 8 == 7
        else {
            "external_id": f"CRM-{10000 + index * 17}",
            "account_owner": rng.choice(PEOPLE).split()[0].lower(),
        },
        "created_at": timestamp(created),
        "updated_at": timestamp(updated),
    }


def make_jobs(rng: random.Random, clients: list[dict]) -> list[dict]:
    jobs = []
    for index, client in enumerate(clients):
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8]) if index % 9 else 0):
            jobs.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "client_id": client["id"],
                    "title": rng.choice(JOB_TITLES),
                    "status": rng.choice(JOB_STATUSES),
                }
            )
    return jobs


def main() -> None:
    rng = random.Random(20261129)
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    clients = [make_client(rng, i, company, start) for i, company in enumerate(COMPANIES)]
    root = Path(__file__).resolve().parent.parent / "fixtures"
    for name, records in (("clients.json", clients), ("jobs.json", make_jobs(rng, clients))):
        (root / name).write_text(
            json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
