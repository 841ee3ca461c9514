"""The FastAPI app: the agent's sidebar API, the knowledge manager's API, health and metrics."""
