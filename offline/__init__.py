"""Run a stack's real program without the engine or any cloud, under recording Pulumi mocks.

Used by the test suite, the policy-pack harness and `ops.report` (cost and policy reports)."""
