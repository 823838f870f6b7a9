"""The Clients API: one handler per operationId in openapi.yaml."""
