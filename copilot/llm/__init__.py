"""The optional LLM mode: a model reads the transcript, drafts the reply and answers the agent.

An OpenAI-compatible model works from masked grounds, with read tools scoped to the caller; on any failure the
deterministic suggestion stands.

Off unless ``HOTLINE_LLM_BASE_URL``, ``HOTLINE_LLM_MODEL`` and ``HOTLINE_LLM_API_KEY`` are set: `open_llm`
returns None then. Importing this package connects to nothing and does not import langchain-openai.
"""

from copilot.llm.advisor import LlmAdvisor, open_llm
from copilot.llm.grounds import GroundFinding, Grounds, GroundSnippet
from copilot.llm.results import (
    DraftedReply,
    FailureKind,
    GroundedAnswer,
    IntentScore,
    LlmFailure,
    Source,
    ToolCallRecord,
    Understanding,
)

__all__ = [
    "DraftedReply",
    "FailureKind",
    "GroundFinding",
    "GroundSnippet",
    "GroundedAnswer",
    "Grounds",
    "IntentScore",
    "LlmAdvisor",
    "LlmFailure",
    "Source",
    "ToolCallRecord",
    "Understanding",
    "open_llm",
]
