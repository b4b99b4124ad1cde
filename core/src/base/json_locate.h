/* json_locate.h - finds where a value sits in JSON text, so errors found
 * after parsing (jansson keeps no positions) can name a line and column. */
#ifndef PANTAU_JSON_LOCATE_H
#define PANTAU_JSON_LOCATE_H

#include <stddef.h>

/* Finds the value at path ("walls[0].layout.tiles[1].w"; "" is the root) in
 * text. Sets *line and *column (1-based) of the value's first character, or
 * of the deepest enclosing value that exists when the path ends in a missing
 * key. Returns 0 when the whole path was found, 1 when only a prefix was,
 * -1 when text is not well-formed. */
int json_locate(const char *text, size_t len, const char *path, int *line, int *column);

#endif
