import { describe, expect, it } from 'vitest';
import { imageDimensions } from './image-dimensions.js';

describe('imageDimensions', () => {
  it('reads PNG, GIF, JPEG and WebP headers', () => {
    const png = Buffer.alloc(24);
    png.write('IHDR', 12, 'ascii');
    png.writeUInt32BE(640, 16);
    png.writeUInt32BE(480, 20);
    expect(imageDimensions(png, 'image/png')).toEqual({ width: 640, height: 480 });

    const gif = Buffer.from('GIF89a\x20\x03\x58\x02', 'latin1');
    expect(imageDimensions(gif, 'image/gif')).toEqual({ width: 800, height: 600 });

    // SOI, an APP0 segment of 16 bytes, then SOF0 with height 300 and width 400.
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
      Buffer.alloc(14),
      Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x01, 0x90, 0x03]),
    ]);
    expect(imageDimensions(jpeg, 'image/jpeg')).toEqual({ width: 400, height: 300 });

    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'ascii');
    webp.write('WEBPVP8X', 8, 'ascii');
    webp.writeUIntLE(1023, 24, 3);
    webp.writeUIntLE(767, 27, 3);
    expect(imageDimensions(webp, 'image/webp')).toEqual({ width: 1024, height: 768 });
  });

  it('returns undefined for a header it does not recognise', () => {
    expect(imageDimensions(Buffer.from('not an image at all, really'), 'image/png')).toBeUndefined();
    expect(imageDimensions(Buffer.from([0xff, 0xd8, 0x00]), 'image/jpeg')).toBeUndefined();
  });
});
