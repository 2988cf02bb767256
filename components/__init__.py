"""Component resources of the Converge-NPS stacks, one package each: the component, the contract the
policy pack and the cost model read of it, and its cost. `tokens.py` names every type token,
`values.py` is the secret/unknown/plain vocabulary every reader of registered properties shares."""
