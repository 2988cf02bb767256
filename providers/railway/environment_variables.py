"""The environment variables Railway's client reads (`client.py`), importable without the client.

The program declares resources without any HTTP library, yet the watchdog's service needs the name under
which the Railway client finds its token.
"""

API_URL_VARIABLE = "RAILWAY_API_URL"
TOKEN_VARIABLE = "RAILWAY_TOKEN"  # noqa: S105 - the name of the variable, not a token
TIMEOUT_VARIABLE = "RAILWAY_API_TIMEOUT_SECONDS"
# Seconds between two status checks of a deployment.
POLL_INTERVAL_VARIABLE = "RAILWAY_POLL_INTERVAL"
