"""Component resources of the Converge-NPS stacks (type tokens `converge:index:<Name>`)."""
