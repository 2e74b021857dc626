package mfa

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrDataURI renders text as a QR code, a PNG in a data: URI: the page
// stays free of scripts and the code never leaves the server to be drawn
// (the CSP allows data: images).
func qrDataURI(text string) (string, error) {
	qr, err := qrcode.New(text)
	if err != nil {
		return "", err
	}
	w := &pngWriter{scale: 6, quiet: 4}
	if err := qr.Save(w); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(w.buf.Bytes()), nil
}

// pngWriter draws the matrix with a quiet zone of quiet modules (ISO/IEC
// 18004 asks for four).
type pngWriter struct {
	scale, quiet int
	buf          bytes.Buffer
}

func (p *pngWriter) Write(mat qrcode.Matrix) error {
	size := (mat.Width() + 2*p.quiet) * p.scale
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	mat.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if !v.IsSet() {
			return
		}
		for dy := 0; dy < p.scale; dy++ {
			for dx := 0; dx < p.scale; dx++ {
				img.SetGray((x+p.quiet)*p.scale+dx, (y+p.quiet)*p.scale+dy, color.Gray{})
			}
		}
	})
	return png.Encode(&p.buf, img)
}

func (p *pngWriter) Close() error { return nil }
