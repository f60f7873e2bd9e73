"""The hostile corpus of the attack suite (make_hostile.py)."""
