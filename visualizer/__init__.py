"""embviz: see how a language model represents text.

The flow runs one way: text -> sources (vectors) -> picture (CPU tables) -> gl (renderer) ->
app (live window), image (PNG) and record (MP4). See the README's "How it works".
"""

__version__ = "0.1.0"
