"""OpenGL contexts: a standalone (windowless) one for images, videos and tests, and the one of
a window that pygame has made current.

Everything in visualizer.gl works in either, drawing into whatever framebuffer is bound.
"""

from __future__ import annotations

import logging

import moderngl

from visualizer.errors import RenderError

log = logging.getLogger(__name__)

#: the OpenGL version our shaders need (#version 330)
REQUIRED_GL = 330


def standalone_context() -> moderngl.Context:
    """A windowless OpenGL 3.3 context: EGL first (headless Mesa), then the platform default."""
    failures: list[str] = []
    for backend in ("egl", None):
        try:
            if backend is None:
                ctx = moderngl.create_standalone_context(require=REQUIRED_GL)
            else:
                # moderngl's stub types **settings as dicts; backend is a plain string.
                ctx = moderngl.create_standalone_context(
                    require=REQUIRED_GL,
                    backend=backend,  # type: ignore[arg-type]
                )
        except Exception as exc:  # moderngl/glcontext raise plain Exception subclasses
            failures.append(f"{backend or 'default'}: {exc}")
            continue

        log.debug("GL context (%s): %s", backend or "default", ctx.info.get("GL_RENDERER"))
        return ctx

    raise RenderError(
        "no OpenGL 3.3 context could be created ("
        + "; ".join(failures)
        + "). Install Mesa's EGL and GL drivers (Debian/Ubuntu: apt install libegl1 "
        "libgl1-mesa-dri) or run where a GPU driver is available."
    )


def window_context() -> moderngl.Context:
    """A moderngl context for the GL context current on this thread (a pygame window's).

    `moderngl.create_context()` detects the current context through GLX once any other context
    exists in the process, which fails under SDL's EGL drivers (offscreen, wayland); moderngl's
    default loader finds the current context whatever made it, so use that.
    """
    try:
        moderngl.init_context()
        ctx = moderngl.get_context()
    except Exception as exc:  # moderngl/glcontext raise plain Exception subclasses
        raise RenderError(
            f"no OpenGL context is current for the window ({exc}): create the pygame window "
            "with pygame.OPENGL and a 3.3 core profile before the renderer"
        ) from exc

    if ctx.version_code < REQUIRED_GL:
        raise RenderError(
            f"the window's OpenGL is {ctx.version_code}, embviz needs {REQUIRED_GL}: update the "
            "graphics driver or Mesa (apt install libgl1-mesa-dri)"
        )
    log.debug("window GL context: %s", ctx.info.get("GL_RENDERER"))
    return ctx
