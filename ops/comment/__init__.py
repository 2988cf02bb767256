"""The pull request's preview comment (`python -m ops.comment`): resource changes, policy results and cost of
each stack, from the engine's own preview events (`pulumi preview --json` with
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1), rendered the same in CI and locally."""
