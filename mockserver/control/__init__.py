"""The mock's control plane under /__mock: what the contract does not describe."""
