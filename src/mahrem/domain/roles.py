"""The roles a person acts in: staff posts at a facility (from the Ministry's staff registry,
ÇKYS) and officer roles (M13–M16, SPEC.md rules 9 and 10; the KTS letter)."""

from __future__ import annotations

STAFF_ROLES = ("physician", "nurse", "other_staff")
OFFICER_ROLES = ("province_officer", "gm_officer", "ministry_user", "unit_head", "dpo")
