// Command sdkgen writes the pixverse plugin's SDKs from its schema with Pulumi's own code generators,
// at the CLI's version: `sdkgen SCHEMA.json OUT` writes OUT/python, OUT/nodejs and OUT/go. The language
// hosts we can build are too old for `pulumi package gen-sdk` (docs/plugin.md).
//
// Two files are then made publishable as they are: package.json points at what `npm run build`
// compiles into bin/ and packs only that (with README and LICENSE), and the Python pyproject.toml
// states its license as the SPDX string current setuptools asks for (a table is deprecated). The Go
// SDK is a module of its own (OUT/go/go.mod, which tools/gen-sdk completes with `go mod tidy`).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/contract"
)

const tool = "pulumi-pixverse-sdkgen"

func main() {
	if len(os.Args) != 3 {
		fail(fmt.Errorf("usage: sdkgen SCHEMA.json OUT"))
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sdkgen:", err)
	os.Exit(1)
}

// bind validates the schema and binds it fresh: each generator records its language options in the package.
func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("the schema is not valid JSON: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return pkg, nil
}

// packFromBin makes package.json describe the package `npm run build` leaves: its entry points in bin/
// (tsconfig's outDir), and only bin/ packed beside package.json, README.md and LICENSE. The build also
// copies package.json into bin/, where the generated utilities.ts reads the package's version.
func packFromBin(files map[string][]byte) error {
	var manifest map[string]any
	if err := json.Unmarshal(files["package.json"], &manifest); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	manifest["main"] = "bin/index.js"
	manifest["types"] = "bin/index.d.ts"
	manifest["files"] = []string{"bin/", "README.md", "LICENSE"}
	manifest["scripts"] = map[string]string{
		"build": `tsc && node -e "require('fs').copyFileSync('package.json', 'bin/package.json')"`,
	}
	var text bytes.Buffer
	encoder := json.NewEncoder(&text)
	encoder.SetEscapeHTML(false)
	encoder.SetIndent("", "    ")
	if err := encoder.Encode(manifest); err != nil {
		return err
	}
	files["package.json"] = text.Bytes()
	return nil
}

// spdxLicense rewrites pyproject.toml's `[project.license] text = "…"` table as `license = "…"`, which
// needs setuptools 77 or newer.
func spdxLicense(files map[string][]byte) error {
	text := string(files["pyproject.toml"])
	start := strings.Index(text, "  [project.license]\n    text = ")
	if start < 0 {
		return fmt.Errorf("pyproject.toml: no [project.license] table to rewrite")
	}
	end := start + strings.Index(text[start:], "\n\n") // the table ends the [project] section
	if end < start {
		return fmt.Errorf("pyproject.toml: the [project.license] table does not end as expected")
	}
	license := strings.TrimPrefix(text[start:end], "  [project.license]\n    text = ")
	text = text[:start] + "  license = " + license + text[end:]
	text = strings.Replace(text, `requires = ["setuptools>=61.0"]`, `requires = ["setuptools>=77"]`, 1)
	files["pyproject.toml"] = []byte(text)
	return nil
}

func run(schemaPath, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	generators := map[string]func(*schema.Package) (map[string][]byte, error){
		"python": func(pkg *schema.Package) (map[string][]byte, error) {
			files, err := python.GeneratePackage(tool, pkg, nil, nil)
			if err != nil {
				return nil, err
			}
			// The generated pyproject.toml names a README.md beside it, while the generator writes it
			// into the package folder (Pulumi's own builds copy it up): copy it, so that pip finds it.
			for name, contents := range files {
				if filepath.Base(name) == "README.md" && filepath.Dir(filepath.Dir(name)) == "." {
					files["README.md"] = contents
					return files, spdxLicense(files)
				}
			}
			return nil, fmt.Errorf("no README.md in the generated package")
		},
		"nodejs": func(pkg *schema.Package) (map[string][]byte, error) {
			files, err := nodejs.GeneratePackage(tool, pkg, nil, nil, false, nil)
			if err != nil {
				return nil, err
			}
			return files, packFromBin(files)
		},
		"go": func(pkg *schema.Package) (map[string][]byte, error) {
			// The Go generator writes go.mod (the module importBasePath's parent, requiring sdk/v3) only
			// for a package in "pack" mode, which for Python would also change the generated code: set it
			// here, for Go alone. Otherwise it is the schema's respectSchemaVersion.
			pkg.SupportPack = true
			return gogen.GeneratePackage(tool, pkg, nil)
		},
	}
	for language, generate := range generators {
		pkg, err := bind(raw)
		if err != nil {
			return err
		}
		files, err := generate(pkg)
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		for name, content := range files {
			path := filepath.Join(out, language, name)
			contract.AssertNoErrorf(os.MkdirAll(filepath.Dir(path), 0o755), "mkdir %s", path)
			if err := os.WriteFile(path, content, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
