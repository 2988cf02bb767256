"""AppSecrets: the generated JWT keys and the operator-supplied API keys, and which outputs are secret."""

from components.app_secrets.component import AppSecrets, AppSecretsArgs
from components.app_secrets.rotation import Rotation, rotation_on

__all__ = ["AppSecrets", "AppSecretsArgs", "Rotation", "rotation_on"]
