"""The Converge-NPS policy pack (run by `pulumi preview --policy-pack policies`); see docs/policies.md."""
