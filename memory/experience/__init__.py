"""Experience memory: every finished job leaves a lesson; later jobs on the repository start from them.

store = open_store(settings)                        # sqlite (default) or redis, per settings.memory
hits = store.search(task, repo=repo_identity(path), k=5)
prompt += format_lessons(hits)
store.add(Experience(repo=..., task=..., status="resolved", ...))
"""

from memory.experience.backends import open_store
from memory.experience.lessons import avoid_lessons, format_lessons, lesson_ids
from memory.experience.preferences import PreferencePair, export_preferences, preference_pairs
from memory.experience.ranking import SearchHit
from memory.experience.record import SCHEMA_VERSION, Cost, Experience, HumanDecision, RepoFacts, repo_identity
from memory.experience.store import (
    ExperienceStore,
    MemoryStoreError,
    MemoryUnavailable,
    StoreStats,
)

__all__ = [
    "SCHEMA_VERSION",
    "Cost",
    "Experience",
    "ExperienceStore",
    "HumanDecision",
    "MemoryStoreError",
    "MemoryUnavailable",
    "PreferencePair",
    "RepoFacts",
    "SearchHit",
    "StoreStats",
    "avoid_lessons",
    "export_preferences",
    "format_lessons",
    "lesson_ids",
    "open_store",
    "preference_pairs",
    "repo_identity",
]
