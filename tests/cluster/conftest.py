from tests.cluster import ray_env

ray_env.apply()
