package banking

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/errcode"
)

// DocumentType says what a document is.
type DocumentType string

// The document types.
const (
	Passport                   DocumentType = "PASSPORT"
	DriversLicense             DocumentType = "DRIVERS_LICENSE"
	NationalID                 DocumentType = "NATIONAL_ID"
	ProofOfAddress             DocumentType = "PROOF_OF_ADDRESS"
	CertificateOfIncorporation DocumentType = "CERTIFICATE_OF_INCORPORATION"
	ArticlesOfAssociation      DocumentType = "ARTICLES_OF_ASSOCIATION"
	OtherDocument              DocumentType = "OTHER"
)

// The limits on documents.
const (
	// MaxDocumentBytes is the largest document content accepted.
	MaxDocumentBytes = 512 << 10
	// MaxDocuments is the number of documents an application may have.
	MaxDocuments = 20
)

// Document is a file attached to an application. Content is set only when
// one document is read; lists carry the metadata.
type Document struct {
	ID             string // doc_…
	OrganizationID int64
	ApplicationID  string
	Type           DocumentType
	FileName       string
	ContentType    string // application/pdf, image/jpeg or image/png
	Size           int64  // bytes of Content
	SHA256         string // hex digest of Content
	Content        []byte
	CreatedAt      time.Time
}

// NewDocument is the input of AddDocument.
type NewDocument struct {
	Type        DocumentType
	FileName    string
	ContentType string
	Content     []byte
}

// signatures are the first bytes of each accepted content type.
var signatures = map[string][]byte{
	"application/pdf": []byte("%PDF-"),
	"image/png":       {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
	"image/jpeg":      {0xff, 0xd8, 0xff},
}

// check verifies the content: not empty, within MaxDocumentBytes, and of
// the declared type. Invalid, naming the field.
func (d NewDocument) check() error {
	reject := func(field, format string, args ...any) error {
		return invalid("the document is not valid", []errcode.FieldError{{Field: field, In: "body", Message: fmt.Sprintf(format, args...)}})
	}
	sig, ok := signatures[d.ContentType]
	switch {
	case !ok:
		return reject("content_type", "must be application/pdf, image/jpeg or image/png")
	case len(d.Content) == 0:
		return reject("content", "is empty")
	case len(d.Content) > MaxDocumentBytes:
		return reject("content", "is %d bytes; the limit is %d bytes", len(d.Content), MaxDocumentBytes)
	case !bytes.HasPrefix(d.Content, sig):
		return reject("content", "is not a %s file (its first bytes do not match)", d.ContentType)
	}
	return nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
