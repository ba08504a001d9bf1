from rnntheory.strategies import register_profiles

register_profiles()
