// overlay.frag: draws a straight-alpha RGBA texture (text, HUD panels) with alpha blending;
// the texture's first row is the top of the surface.
#version 330

uniform sampler2D u_surface;

in vec2 v_uv;
out vec4 f_colour;

void main() {
    f_colour = texture(u_surface, v_uv);
}
