from rnntheory.testing import register_profiles

register_profiles()
