// picture.frag: the picture of a vector, one cell per dimension, stretched from the cell
// colours cells.frag made: no-data cells hatched, thin grid lines between large cells.
#version 330

uniform sampler2D u_cells;      // RGBA32F, cols x rows: each cell's colour (cells.frag)
uniform ivec2 u_grid;           // cols, rows
uniform int u_dims;             // cells at index >= u_dims have no data
uniform vec3 u_no_data;
uniform vec3 u_no_data_stripe;
uniform float u_cell_px;        // cell size in pixels, for grid lines and hatching
uniform bool u_grid_lines;
uniform bool u_placeholder;     // no vector: hatch the whole picture

in vec2 v_uv;
out vec4 f_colour;

vec3 hatch(vec2 local) {
    // Diagonal stripes that leave the cell centre in the base colour.
    bool stripe = fract((local.x + local.y) * 2.0 + 0.5) < 0.3 && u_cell_px >= 6.0;
    return stripe ? u_no_data_stripe : u_no_data;
}

void main() {
    vec2 at = v_uv * vec2(u_grid);
    ivec2 cell = min(ivec2(floor(at)), u_grid - 1);
    vec2 local = at - vec2(cell);
    int index = cell.y * u_grid.x + cell.x;

    vec3 colour;
    if (u_placeholder) {
        colour = hatch(at);
    } else if (index >= u_dims) {
        colour = hatch(local);
    } else {
        colour = texelFetch(u_cells, cell, 0).rgb;
    }

    // Thin lines between cells when cells are large enough to spare a pixel: the first pixel
    // row and column of each cell (pixel centres sit 0.5 px in, so the test is robust).
    vec2 lead = local * u_cell_px;
    if (u_grid_lines && u_cell_px >= 8.0 && min(lead.x, lead.y) < 1.0) {
        colour *= 0.55;
    }
    f_colour = vec4(colour, 1.0);
}
