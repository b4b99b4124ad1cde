#include "rbsp.h"

void rbsp_reader_init(rbsp_reader *r, const uint8_t *data, size_t len)
{
    *r = (rbsp_reader){data, len, 0, 0, 0, false};
}

int rbsp_read_bit(rbsp_reader *r)
{
    if (r->byte >= r->len) {
        r->overrun = true;
        return 0;
    }
    if (r->bit == 0 && r->zeros >= 2 && r->data[r->byte] == 3) {
        r->zeros = 0;
        r->byte++; /* emulation prevention byte */
        if (r->byte >= r->len) {
            r->overrun = true;
            return 0;
        }
    }
    uint8_t b = r->data[r->byte];
    int v = (b >> (7 - r->bit)) & 1;
    if (++r->bit == 8) {
        r->zeros = b == 0 ? r->zeros + 1 : 0;
        r->bit = 0;
        r->byte++;
    }
    return v;
}

unsigned rbsp_read_bits(rbsp_reader *r, int n)
{
    unsigned v = 0;
    while (n-- > 0)
        v = (v << 1) | (unsigned)rbsp_read_bit(r);
    return v;
}

unsigned rbsp_read_ue(rbsp_reader *r)
{
    int zeros = 0;
    while (!rbsp_read_bit(r) && !r->overrun && zeros < 32)
        zeros++;
    /* A code this long is not valid in any parameter set we read. */
    if (zeros >= 32 || r->overrun) {
        r->overrun = true;
        return 0;
    }
    return ((1u << zeros) - 1) + rbsp_read_bits(r, zeros);
}

int rbsp_read_se(rbsp_reader *r)
{
    unsigned k = rbsp_read_ue(r);
    return (k & 1) ? (int)((k + 1) / 2) : -(int)(k / 2);
}
