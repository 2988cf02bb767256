"""Redis on Railway: a pinned image, one replica with a volume, memory/eviction/persistence as flags."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulumi

from components import tokens
from components.app_secrets.passwords import generated_password
from components.railway_service import RailwayPlacement, ServiceDefinition, deploy_service
from components.redis_cache.contract import VOLUME_GB_OUTPUT
from components.redis_cache.start_command import DATA_DIR, PASSWORD_VARIABLE, PORT, RedisServerFlags, render


@dataclass
class RedisCacheArgs:
    project_id: pulumi.Input[str]
    environment_id: pulumi.Input[str]
    image: str
    memory_mb: int
    eviction_policy: str
    rdb_snapshots: bool
    append_only: bool
    vcpu: float
    # Railway sizes volumes by plan (no size in the public API); declared for the cost model.
    volume_gb: int
    region: str
    restart_policy: str
    restart_max_retries: int
    deployment_timeout_minutes: int
    service_name: str = "redis"


def redis_command(args: RedisCacheArgs) -> str:
    """The service's start command (components/redis_cache/start_command.py)."""
    return render(
        RedisServerFlags(
            memory_mb=args.memory_mb,
            eviction_policy=args.eviction_policy,
            rdb_snapshots=args.rdb_snapshots,
            append_only=args.append_only,
        )
    )


def container_memory_gb(memory_mb: int) -> float:
    """The container's memory limit: twice maxmemory, since BGSAVE and AOF rewrites fork and the
    copy-on-write child can touch every page under write load. Railway bills use, not the limit."""
    return math.ceil(memory_mb * 2 / 1024 * 10) / 10


class RedisCache(pulumi.ComponentResource):
    """Exports `url` (secret): the private-network URL (`<service>.railway.internal`) with the password,
    which the backend gets as REDIS_URL. Railway forbids replicas on a service with a volume, so this
    always runs exactly one."""

    url: pulumi.Output[str]
    service_id: pulumi.Output[str]
    volume_id: pulumi.Output[str]

    def __init__(self, name: str, args: RedisCacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.REDIS_CACHE, name, None, opts)
        password = generated_password(f"{name}-password", parent=self)
        deployed = deploy_service(
            name,
            RailwayPlacement.of(args),
            ServiceDefinition(
                service_name=args.service_name,
                image=args.image,
                replicas=1,
                vcpus=args.vcpu,
                memory_gb=container_memory_gb(args.memory_mb),
                variables={},
                secrets={PASSWORD_VARIABLE: password.result},
                start_command=redis_command(args),
                volume_mount_path=DATA_DIR,
            ),
            parent=self,
        )
        assert deployed.volume is not None  # a mount path was given
        self.host = f"{args.service_name}.railway.internal"
        self.port = PORT
        self.url = pulumi.Output.secret(
            pulumi.Output.concat("redis://default:", password.result, f"@{self.host}:{PORT}")
        )
        self.service_id = deployed.service.id
        self.volume_id = deployed.volume.id
        self.deployment_id = deployed.deployment.id
        self.volume_gb = args.volume_gb
        self.register_outputs(
            {
                "serviceId": self.service_id,
                "volumeId": self.volume_id,
                "host": self.host,
                VOLUME_GB_OUTPUT: self.volume_gb,
            }
        )
