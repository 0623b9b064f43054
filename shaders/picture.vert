// picture.vert: a full-viewport quad
// (placeholder until the renderer lands)
#version 330
void main() {}
