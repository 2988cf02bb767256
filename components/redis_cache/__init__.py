"""RedisCache: Redis on Railway, with its start command, the contract its policies read and its cost."""

from components.redis_cache.component import RedisCache, RedisCacheArgs, container_memory_gb, redis_command

__all__ = ["RedisCache", "RedisCacheArgs", "container_memory_gb", "redis_command"]
