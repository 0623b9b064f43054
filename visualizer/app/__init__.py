"""The live window: type a text and watch the picture of its embedding morph.

editor (the text line and its history), worker (vectors on a background thread, latest text
wins), keys and commands (the shortcuts and what they do), hud and screen (what is drawn where),
frames (which frames are drawn, fps, the frame-rate cap), recording (F9 session, F10 txt2vid),
window (LiveWindow: the loop that composes them).
"""
