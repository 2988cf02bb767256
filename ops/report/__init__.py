"""The cost and policy report of a stack (`python -m ops.report`): resources, monthly estimate per
component against the budget, every policy's verdict; text, Markdown (PR comments) or JSON."""
