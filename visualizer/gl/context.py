"""OpenGL contexts: a standalone (windowless) one for images, videos and tests.

The live window makes its own context through pygame and `moderngl.create_context()`; everything
in visualizer.gl works in either, drawing into whatever framebuffer is bound.
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
