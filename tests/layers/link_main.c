/* link_main.c — the program of style.layers_link.<layer>: linked with every
 * object of one layer's library (whole archive) and only the layers below
 * it, so that a call from the layer to anything above it is an undefined
 * symbol and the build fails (docs/internals/LAYERS.md). It does nothing. */
int main(void)
{
    return 0;
}
