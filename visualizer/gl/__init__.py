"""The picture on the GPU (moderngl): context, shader loader, renderer, text, offscreen frames."""
