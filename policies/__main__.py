"""Entry point the Pulumi CLI runs for `--policy-pack policies` (`python -m pulumi.policy <engine> policies`).

The pack reads the components' contracts (components/), prices resources with the program's own cost
model (cost/) and loads the stack's settings (settings/), so the repository root goes on the import
path; the pack is run from this checkout, not published to Pulumi Cloud.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policies.converge_policies import PACK_ENFORCEMENT_LEVEL, POLICIES
from policies.converge_policies.stack_outputs import keep_stack_output_secrecy

keep_stack_output_secrecy()

PolicyPack(
    name="converge-nps",
    enforcement_level=PACK_ENFORCEMENT_LEVEL,
    policies=POLICIES,
    description="Converge-NPS: TLS everywhere, non-root containers, spending caps and the seed's guarantees.",
)
