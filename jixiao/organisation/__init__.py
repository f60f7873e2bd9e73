"""The organisation app: what a user record needs beyond Django's (phone, a password an
administrator set that must be changed). Units and memberships live in ``jixiao.budget``; every
change to either goes through ``jixiao.services.organisation``."""
