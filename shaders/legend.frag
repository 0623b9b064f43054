// legend.frag: the colour bar of the legend: the colormap from -1 to +1 across the quad, with
// the UNDER and OVER colours in small boxes at its two ends when the normalisation uses them.
#version 330

uniform sampler2D u_lut;   // RGB32F, 256 x 1: the colormap
uniform vec3 u_over;
uniform vec3 u_under;
uniform float u_end;       // width of each end box as a fraction of the quad; 0 = none

in vec2 v_uv;
out vec4 f_colour;

void main() {
    float gap = u_end > 0.0 ? u_end * 0.25 : 0.0;
    if (v_uv.x < u_end) {
        f_colour = vec4(u_under, 1.0);
        return;
    }
    if (v_uv.x > 1.0 - u_end) {
        f_colour = vec4(u_over, 1.0);
        return;
    }
    if (v_uv.x < u_end + gap || v_uv.x > 1.0 - u_end - gap) {
        discard;
    }

    float p = ((v_uv.x - u_end - gap) / (1.0 - 2.0 * (u_end + gap))) * 2.0 - 1.0;
    float x = (clamp(p, -1.0, 1.0) + 1.0) * 127.5;
    float i0 = floor(x);
    vec3 a = texelFetch(u_lut, ivec2(int(i0), 0), 0).rgb;
    vec3 b = texelFetch(u_lut, ivec2(min(int(i0) + 1, 255), 0), 0).rgb;
    f_colour = vec4(mix(a, b, x - i0), 1.0);
}
