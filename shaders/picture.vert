// picture.vert: one quad covering the viewport, made from gl_VertexID (no vertex buffer);
// v_uv runs from (0, 0) at the top-left corner of the quad to (1, 1) at its bottom-right.
#version 330

out vec2 v_uv;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    v_uv = vec2(corner.x, 1.0 - corner.y);
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
