"""What every dynamic provider shares, whichever service it talks to (see docs/providers.md).

- `properties`: args dataclasses to Pulumi properties (snake_case fields, camelCase properties), the
  one diff rule, unknowns, and secrets (unwrapped for the provider, re-marked on its outputs);
- `provider`: the provider and resource bases every kind derives from, `gone`, create-or-adopt;
- `errors`: the errors every API client raises;
- `http`: the HTTP core under every API client. Only provider methods import it (through their
  service's client), so declaring resources costs no HTTP library.
"""
