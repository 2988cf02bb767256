"""AppSecrets: the generated JWT keys and the operator-supplied API keys, and which outputs are secret."""
