// overlay.vert: a textured rectangle placed in pixels (top-left origin) within the viewport,
// for text and other pygame-drawn surfaces; v_uv (0, 0) is the surface's top-left pixel.
#version 330

uniform vec2 u_viewport;   // viewport size in pixels
uniform vec4 u_rect;       // x, y (top-left, y down), width, height in pixels

out vec2 v_uv;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    v_uv = vec2(corner.x, 1.0 - corner.y);
    vec2 pixel = u_rect.xy + v_uv * u_rect.zw;
    gl_Position = vec4(pixel.x / u_viewport.x * 2.0 - 1.0, 1.0 - pixel.y / u_viewport.y * 2.0,
                       0.0, 1.0);
}
