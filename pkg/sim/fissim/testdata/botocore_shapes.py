"""botocore's FIS service model, and a check of raw response bodies against
it (or any service's shapes: check): no member the shape does not have,
every required member present, every value of its shape's type (and
of its enum, if it has one). Imported by actions_shapes.py; run as a script it
reads {operation: raw response body} on stdin and prints the errors as a JSON
list."""
import datetime
import json
import sys

import botocore.session

model = botocore.session.get_session().get_service_model("fis")


def check(value, shape, path, errors):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: {type(value).__name__}, want an object ({shape.name})")
            return
        for k, v in value.items():
            if k not in shape.members:
                errors.append(f"{path}.{k}: not a member of {shape.name}")
                continue
            check(v, shape.members[k], f"{path}.{k}", errors)
        for k in shape.required_members:
            if k not in value:
                errors.append(f"{path}.{k}: required by {shape.name}, missing")
    elif t == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: {type(value).__name__}, want a map ({shape.name})")
            return
        for k, v in value.items():
            check(v, shape.value, f"{path}[{k}]", errors)
    elif t == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: {type(value).__name__}, want a list ({shape.name})")
            return
        for i, v in enumerate(value):
            check(v, shape.member, f"{path}[{i}]", errors)
    elif t == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: {value!r}, want a string ({shape.name})")
        elif "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errors.append(f"{path}: {len(value)} characters, over {shape.name}'s max {shape.metadata['max']}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.name}'s values {shape.enum}")
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: {value!r}, want a boolean ({shape.name})")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: {value!r}, want an integer ({shape.name})")
    elif t == "timestamp":  # epoch seconds in JSON; a date once parsed (CBOR, XML)
        if not isinstance(value, (int, float, datetime.datetime)) or isinstance(value, bool):
            errors.append(f"{path}: {value!r}, want epoch seconds ({shape.name})")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            errors.append(f"{path}: {value!r}, want a number ({shape.name})")


def check_outputs(bodies):
    """The errors of each (operation name, raw response body) pair against
    the operation's output shape."""
    errors = []
    for op, body in bodies:
        check(body, model.operation_model(op).output_shape, op, errors)
    return errors


if __name__ == "__main__":
    print(json.dumps(check_outputs(json.load(sys.stdin).items())))
