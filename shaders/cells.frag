// cells.frag: one fragment per cell: each dimension's value normalised, morphed and looked up
// in the colormap, into a cols x rows texture that picture.frag stretches over the picture.
#version 330

// Colouring cells, not pixels: on a software rasteriser a pixel then costs one texel fetch.

uniform sampler2D u_next;       // R32F, cols x rows: the value shown in each cell
uniform sampler2D u_prev;       // R32F: the values being morphed from
uniform sampler2D u_zscore;     // RG32F: per cell, mean and 1 / (3 std)
uniform sampler2D u_lut;        // RGB32F, 256 x 1: the colormap
uniform sampler2D u_from;       // RGBA32F, cols x rows: the colours on screen when show() began
uniform bool u_from_screen;     // morph from u_from's colours instead of from u_prev's values
uniform int u_norm;             // 0 linear, 1 symlog, 2 zscore, 3 classic
uniform bool u_classic_colours; // classic normalisation with the classic colormap
uniform vec3 u_k_next;          // the Scale factors of the two vectors (normalize.py)
uniform vec3 u_k_prev;
uniform vec4 u_classic_next;    // rf, bf, kind of rf, kind of bf
uniform vec4 u_classic_prev;
uniform float u_mix;            // eased morph parameter: 0 = previous, 1 = next
uniform vec3 u_over;
uniform vec3 u_under;

out vec4 f_colour;

const int FINITE = 0;
const int POS_INF = 1;
const int NEG_INF = 2;

// One channel of the original tool: clamp(log|d| * f, 0, 255), following IEEE rules for the
// infinite and NaN cases of its arithmetic (NaN counts as 0, as Java's (int) cast does).
float classic_channel(float d, float f, int kind) {
    if (kind > NEG_INF) {
        return 0.0;
    }
    if (d == 0.0) {
        // log(0) = -inf: -inf * f
        if (kind == FINITE) {
            return f < 0.0 ? 255.0 : 0.0;  // f == 0 gives NaN: 0
        }
        return kind == NEG_INF ? 255.0 : 0.0;
    }

    float l = log(abs(d));
    if (kind == FINITE) {
        return clamp(l * f, 0.0, 255.0);
    }
    if (l == 0.0) {
        return 0.0;  // 0 * inf = NaN
    }
    bool positive = (l > 0.0) == (kind == POS_INF);
    return positive ? 255.0 : 0.0;
}

vec2 classic_red_blue(float d, vec4 c) {
    if (d < 0.0) {
        return vec2(classic_channel(d, c.x, int(c.z)), 0.0);
    }
    return vec2(0.0, classic_channel(d, c.y, int(c.w)));
}

vec3 classic_colour(vec2 rb) {
    vec2 t = floor(rb);
    return vec3(t.x, 64.0 + floor((rb.x + rb.y) / 4.0), t.y) / 255.0;
}

float position(float v, vec3 k, vec4 c, vec2 z) {
    if (u_norm == 0) {
        return (v * k.x) * k.y;
    }
    if (u_norm == 1) {
        return sign(v) * log(1.0 + (abs(v) * k.x) * k.y) * k.z;
    }
    if (u_norm == 2) {
        return (v - z.x) * z.y;
    }
    vec2 rb = classic_red_blue(v, c);
    return (rb.y - rb.x) / 255.0;
}

vec3 paint(float p) {
    if (p > 1.0) {
        return u_over;
    }
    if (p < -1.0) {
        return u_under;
    }
    float x = (clamp(p, -1.0, 1.0) + 1.0) * 127.5;
    float i0 = floor(x);
    vec3 a = texelFetch(u_lut, ivec2(int(i0), 0), 0).rgb;
    vec3 b = texelFetch(u_lut, ivec2(min(int(i0) + 1, 255), 0), 0).rgb;
    float f = x - i0;
    return a * (1.0 - f) + b * f;
}

// Previous and next at the eased morph time; the ends are taken as they are, so that an
// infinite position (a value far beyond the range) never meets 0 * inf.
vec3 blend(vec3 a, vec3 b) {
    if (u_mix <= 0.0) {
        return a;
    }
    if (u_mix >= 1.0) {
        return b;
    }
    return a * (1.0 - u_mix) + b * u_mix;
}

void main() {
    // Texel (x, y) of the cell texture is cell (column x, row y from the top), as in u_next.
    ivec2 cell = ivec2(gl_FragCoord.xy);
    float next = texelFetch(u_next, cell, 0).r;
    float prev = texelFetch(u_prev, cell, 0).r;
    vec2 z = texelFetch(u_zscore, cell, 0).rg;

    vec3 colour;
    if (u_from_screen) {
        vec3 target = u_classic_colours
            ? classic_colour(classic_red_blue(next, u_classic_next))
            : paint(position(next, u_k_next, u_classic_next, z));
        colour = blend(texelFetch(u_from, cell, 0).rgb, target);
    } else if (u_classic_colours) {
        vec3 c0 = classic_colour(classic_red_blue(prev, u_classic_prev));
        vec3 c1 = classic_colour(classic_red_blue(next, u_classic_next));
        colour = blend(c0, c1);
    } else {
        float p0 = position(prev, u_k_prev, u_classic_prev, z);
        float p1 = position(next, u_k_next, u_classic_next, z);
        colour = paint(blend(vec3(p0), vec3(p1)).x);
    }
    f_colour = vec4(colour, 1.0);
}
