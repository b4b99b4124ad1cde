/* no_descriptor.c - a shared object without pantau_plugin_describe: refused. */
__attribute__((visibility("default"))) int not_a_pantau_plugin(void);

int not_a_pantau_plugin(void)
{
    return 42;
}
