// A plugin directory for loader tests: the built clock plugin (linked) plus
// plugins that must be refused, compiled here with the system C compiler
// against the public header. Each broken plugin has the source type of its
// own name, so a config can ask for a source of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './server.js';

export const builtPluginDir = process.env.PANTAU_PLUGIN_DIR || join(repoRoot, 'build', 'lib', 'pantau', 'plugins');

const prelude = `
#include <pantau/plugin.h>
static void *mk(pantau_source *s, const json_t *st, char **e) { (void)s; (void)st; (void)e; return (void *)1; }
static void rm(void *i) { (void)i; }
static const pantau_source_type type = { .size = sizeof(pantau_source_type), .id = NAME, .kind = "widget",
                                         .create = mk, .destroy = rm };
static int ok_load(const pantau_host *h) { return h->register_source_type(h, &type, sizeof type); }
static int bad_load(const pantau_host *h) { (void)h; return -1; }
#define DESCRIBE(MAJOR, MINOR, PNAME, LOAD)                                                 \\
    __attribute__((visibility("default"))) const pantau_plugin_descriptor *pantau_plugin_describe(void); \\
    const pantau_plugin_descriptor *pantau_plugin_describe(void) {                          \\
        static const pantau_plugin_descriptor d = {MAJOR, MINOR, PNAME, "1.0", "test", LOAD, 0}; \\
        return &d; }
`;

// name -> [C body (null: not a shared object at all), what the refusal line must say]
export const brokenPlugins = {
  notelf: [null, /dlopen|shared object|ELF|invalid/i],
  nodesc: ['int not_a_descriptor(void) { return 0; }', /pantau_plugin_describe/],
  abi99: ['DESCRIBE(99, 0, NAME, ok_load)', /ABI|major/i],
  newminor: ['DESCRIBE(PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR + 1, NAME, ok_load)', /ABI|minor|newer/i],
  noload: ['DESCRIBE(PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, NAME, 0)', /load/],
  refuses: ['DESCRIBE(PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, NAME, bad_load)', /load/],
  dupname: ['DESCRIBE(PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, "clock", ok_load)', /clock/],
  unresolved: ['extern int pantau_test_no_such_symbol(void);\nint f(void) { return pantau_test_no_such_symbol(); }\n'
    + 'DESCRIBE(PANTAU_ABI_MAJOR, PANTAU_ABI_MINOR, NAME, ok_load)', /pantau_test_no_such_symbol|undefined symbol/],
};

function janssonFlags() {
  try { return execFileSync('pkg-config', ['--cflags', 'jansson'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean); } catch { return []; }
}

// Makes the directory; returns { dir, names (the broken ones built), cleanup }.
// Without a C compiler only the non-ELF plugin is made.
export function makePluginDir() {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-plugins-'));
  symlinkSync(join(builtPluginDir, 'clock.so'), join(dir, 'clock.so'));
  if (existsSync(join(builtPluginDir, 'clock'))) symlinkSync(join(builtPluginDir, 'clock'), join(dir, 'clock'));
  const src = join(dir, 'src');
  mkdirSync(src);
  const names = [];
  for (const [name, [body]] of Object.entries(brokenPlugins)) {
    const so = join(dir, `${name}.so`);
    if (body === null) {
      writeFileSync(so, 'this is not a shared object\n');
      names.push(name);
      continue;
    }
    const c = join(src, `${name}.c`);
    writeFileSync(c, `#define NAME "${name}"\n${prelude}\n${body}\n`);
    try {
      execFileSync('cc', ['-shared', '-fPIC', '-o', so, '-I', join(repoRoot, 'core', 'include'), ...janssonFlags(), c], { stdio: 'pipe' });
      names.push(name);
    } catch (err) {
      if (err.code !== 'ENOENT') throw new Error(`compiling ${name}: ${err.stderr || err.message}`);
    }
  }
  return { dir, names, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
