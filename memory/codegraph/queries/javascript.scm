; Tags for JavaScript (and the shared part of TypeScript).
(class_declaration
  name: (_) @name) @definition.class

(class_declaration
  name: (_) @name
  (class_heritage (identifier) @base)) @definition.class

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(method_definition
  name: (property_identifier) @name) @definition.method

(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression)])) @definition.function

(call_expression
  function: [(identifier) (member_expression)] @callee) @reference.call

(new_expression
  constructor: [(identifier) (member_expression)] @callee) @reference.call

(import_statement
  source: (string (string_fragment) @import.source)) @import
