// Command sdkgen writes the pixverse plugin's SDKs from its schema with Pulumi's own code generators,
// at the CLI's version: `sdkgen SCHEMA.json OUT` writes OUT/python and OUT/nodejs. The language hosts
// we can build are too old for `pulumi package gen-sdk` (DESIGN.md, "The real engine").
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

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
					return files, nil
				}
			}
			return nil, fmt.Errorf("no README.md in the generated package")
		},
		"nodejs": func(pkg *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, nil)
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
