"""Service blueprints (服务蓝图): per-intent playbooks as data, and the engine that runs them."""
