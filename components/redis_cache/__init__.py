"""RedisCache: Redis on Railway, with its start command, the contract its policies read and its cost."""
