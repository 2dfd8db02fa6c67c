// Generates src/schema.d.ts from schema.json (the schema the API serves). Binary fields (receipts, photos)
// become Blob, so that a multipart body can carry a file without a cast.
import { writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const blob = ts.factory.createTypeReferenceNode("Blob");
const ast = await openapiTS(new URL("./schema.json", import.meta.url), {
  // A request field with a default may be left out; every field a response always has is `required` already.
  defaultNonNullable: false,
  transform(schemaObject) {
    if (schemaObject.format === "binary") {
      return schemaObject.nullable
        ? ts.factory.createUnionTypeNode([blob, ts.factory.createLiteralTypeNode(ts.factory.createNull())])
        : blob;
    }
    return undefined;
  },
});
writeFileSync(new URL("./src/schema.d.ts", import.meta.url), astToString(ast));
