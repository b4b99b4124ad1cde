/* rbsp.h - reading the payload of an H.264 or H.265 NAL unit (its RBSP) bit
 * by bit, as parameter set parsers need: emulation prevention bytes
 * (00 00 03) are skipped, Exp-Golomb codes decoded, and a read past the end
 * sets a flag and reads zeros rather than touching memory it must not. */
#ifndef PANTAU_RBSP_H
#define PANTAU_RBSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rbsp_reader {
    const uint8_t *data;
    size_t len, byte;
    int bit;
    int zeros; /* zero bytes just read: two, and a 03 next is skipped */
    bool overrun;
} rbsp_reader;

/* Starts r at the first bit of data[0..len) (borrowed for r's life). */
void rbsp_reader_init(rbsp_reader *r, const uint8_t *data, size_t len);

/* The next bit; 0 (and overrun set) past the end. */
int rbsp_read_bit(rbsp_reader *r);

/* The next n bits (n at most 32), most significant first. */
unsigned rbsp_read_bits(rbsp_reader *r, int n);

/* An unsigned Exp-Golomb code ue(v); 0 and overrun set for a code longer
 * than 32 bits (none is valid in a parameter set) or one cut short. */
unsigned rbsp_read_ue(rbsp_reader *r);

/* A signed Exp-Golomb code se(v). */
int rbsp_read_se(rbsp_reader *r);

#endif
