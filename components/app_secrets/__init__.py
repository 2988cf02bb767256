"""AppSecrets: the generated JWT keys and the operator-supplied API keys, and which outputs are secret."""

from components.app_secrets.component import AppSecrets, AppSecretsArgs, RotationWindow

__all__ = ["AppSecrets", "AppSecretsArgs", "RotationWindow"]
