"""What the policy pack and the cost model read of a BackendService, each fact named once.

Railway runs a fixed number of replicas (it has no autoscaler); the scaling envelope a scaler may use
is the component's own output, which replica-limits and the cost model read.
"""

from __future__ import annotations

from typing import Final

MIN_REPLICAS_OUTPUT: Final = "minReplicas"
MAX_REPLICAS_OUTPUT: Final = "maxReplicas"
REPLICAS_OUTPUT: Final = "replicas"
