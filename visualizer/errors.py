"""The exception tree of embviz: every foreseeable failure is one of these.

Each message says what failed, the value involved, and what to do about it. The CLI prints the
message and exits non-zero; the live window shows it in its status line and keeps running.
"""

from __future__ import annotations


class EmbvizError(Exception):
    """Base of every error embviz raises on purpose."""


class UsageError(EmbvizError):
    """A bad option or input from the user (wrong size, unknown colormap, empty text)."""


class SourceError(EmbvizError):
    """A source of vectors failed: the server, the model or its reply."""


class ServerUnavailable(SourceError):
    """The server did not answer (connection refused, timeout, 5xx after a retry)."""


class ModelNotFound(SourceError):
    """The server does not have the model asked for."""


class NotAnEmbeddingModel(SourceError):
    """The model exists but cannot produce embeddings."""


class BadReply(SourceError):
    """The server answered, but with something that is not a usable set of vectors."""


class RenderError(EmbvizError):
    """OpenGL could not be set up or a shader failed to build."""


class ShaderError(RenderError):
    """A shader failed to compile or link; the message names the file and line."""


class RecordError(EmbvizError):
    """The video encoder failed or could not be started."""
